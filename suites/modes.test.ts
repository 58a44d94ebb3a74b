import { conformanceSuite } from "../harness/runner/conformance-suite.js";
import { modeScenarios } from "../harness/scenarios/modes.js";

conformanceSuite("modes", modeScenarios);
