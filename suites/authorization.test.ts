import { conformanceSuite } from "../harness/conformance-suite.js";
import { authorizationScenarios } from "../harness/scenarios/authorization.js";

conformanceSuite("authorization", authorizationScenarios);
