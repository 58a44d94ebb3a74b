import { conformanceSuite } from "../harness/conformance-suite.js";
import { chainScenarios } from "../harness/scenarios/chain.js";

conformanceSuite("chain", chainScenarios);
