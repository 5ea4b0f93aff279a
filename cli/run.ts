// The `poglytics` command as built JavaScript (scripts/bundle.mjs, the pipeline image);
// bin/poglytics.js runs the same main() from the TypeScript sources.
import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2));
