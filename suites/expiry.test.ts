import { conformanceSuite } from "../harness/conformance-suite.js";
import { expiryScenarios } from "../harness/scenarios/expiry.js";

conformanceSuite("expiry", expiryScenarios);
