import { conformanceSuite } from "../harness/conformance-suite.js";
import { protocolScenarios } from "../harness/scenarios/protocol.js";

conformanceSuite("protocol", protocolScenarios);
