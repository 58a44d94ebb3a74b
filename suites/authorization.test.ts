import { conformanceSuite } from "../harness/runner/conformance-suite.js";
import { authorizationScenarios } from "../harness/scenarios/authorization.js";

conformanceSuite("authorization", authorizationScenarios);
