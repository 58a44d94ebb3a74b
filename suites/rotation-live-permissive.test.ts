import { liveRotationSuite } from "../harness/runner/conformance-suite.js";

// The live rotation behind a permissive protocol detector (docs/architecture.md "Protocol detection").
liveRotationSuite({ permissive: true });
