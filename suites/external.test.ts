import { externalSuite } from "../harness/external/external-suite.js";
import { meshSuite } from "../harness/mesh/mesh-suite.js";

// MTLS_TARGETS: every endpoint of a targets file; else MTLS_TARGET, one endpoint (skipped when unset).
if (process.env.MTLS_TARGETS) meshSuite();
else externalSuite();
