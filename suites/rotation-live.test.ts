import { liveRotationSuite } from "../harness/runner/conformance-suite.js";

liveRotationSuite();
