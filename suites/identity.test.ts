import { conformanceSuite } from "../harness/runner/conformance-suite.js";
import { identityScenarios } from "../harness/scenarios/identity.js";

conformanceSuite("identity", identityScenarios);
