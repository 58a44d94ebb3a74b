import { conformanceSuite } from "../harness/conformance-suite.js";
import { identityScenarios } from "../harness/scenarios/identity.js";

conformanceSuite("identity", identityScenarios);
