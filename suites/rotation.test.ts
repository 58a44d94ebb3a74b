import { conformanceSuite } from "../harness/conformance-suite.js";
import { rotationScenarios } from "../harness/scenarios/rotation.js";

conformanceSuite("rotation", rotationScenarios);
