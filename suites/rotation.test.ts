import { conformanceSuite } from "../harness/runner/conformance-suite.js";
import { rotationScenarios } from "../harness/scenarios/rotation.js";

conformanceSuite("rotation", rotationScenarios);
