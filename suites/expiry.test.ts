import { conformanceSuite } from "../harness/runner/conformance-suite.js";
import { expiryScenarios } from "../harness/scenarios/expiry.js";

conformanceSuite("expiry", expiryScenarios);
