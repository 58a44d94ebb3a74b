// `npm run images:cli`: builds the command's own image (harness/images/cli/Dockerfile) on the
// project's Debian base unless its content-hash tag exists, and prints the tag.
import { ensureCliImage } from "./cli-image.js";

try {
  console.log(await ensureCliImage((line) => console.error(line)));
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
