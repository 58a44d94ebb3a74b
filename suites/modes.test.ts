import { conformanceSuite } from "../harness/conformance-suite.js";
import { modeScenarios } from "../harness/scenarios/modes.js";

conformanceSuite("modes", modeScenarios);
