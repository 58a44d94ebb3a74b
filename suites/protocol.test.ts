import { conformanceSuite } from "../harness/runner/conformance-suite.js";
import { protocolScenarios } from "../harness/scenarios/protocol.js";

conformanceSuite("protocol", protocolScenarios);
