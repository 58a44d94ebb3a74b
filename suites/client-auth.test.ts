import { conformanceSuite } from "../harness/runner/conformance-suite.js";
import { clientAuthScenarios } from "../harness/scenarios/client-auth.js";

conformanceSuite("client-auth", clientAuthScenarios);
