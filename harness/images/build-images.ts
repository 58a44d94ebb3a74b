// `npm run images:build`: builds the base and peer images that do not exist yet (tags are content
// hashes, so a second run builds nothing). Needs an engine: harness/images/engine.sh brings one up.
import { ensureImages, imageStacks } from "./peer-images.js";

const started = Date.now();
try {
  await ensureImages(imageStacks, (line) => console.error(line));
  console.error(`images ready in ${Math.round((Date.now() - started) / 1000)} s`);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
