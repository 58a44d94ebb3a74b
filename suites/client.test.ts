import { conformanceSuite } from "../harness/runner/conformance-suite.js";
import { clientScenarios } from "../harness/scenarios/client.js";

// The client gallery's table (mtls-conformance client) played by every client stack of the matrix.
conformanceSuite("client", clientScenarios);
