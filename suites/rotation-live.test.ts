import { liveRotationSuite } from "../harness/conformance-suite.js";

liveRotationSuite();
