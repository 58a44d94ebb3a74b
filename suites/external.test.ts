import { externalSuite } from "../harness/external/external-suite.js";

externalSuite();
