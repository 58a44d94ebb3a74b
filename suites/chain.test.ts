import { conformanceSuite } from "../harness/runner/conformance-suite.js";
import { chainScenarios } from "../harness/scenarios/chain.js";

conformanceSuite("chain", chainScenarios);
