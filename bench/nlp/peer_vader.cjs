// Peer for bench_nlp_peers: the npm vader-sentiment JS port.
// node peer_vader.cjs PKG_DIR LINES_FILE REPS -> first line: seconds of the timed
// loop (REPS passes over every line), then one compound score per input line.
'use strict';
const fs = require('fs');
const path = require('path');
const vader = require(path.resolve(process.argv[2]));
const lines = fs.readFileSync(process.argv[3], 'utf8').split('\n').filter((s) => s.length > 0);
const reps = parseInt(process.argv[4] || '1', 10);
const sia = vader.SentimentIntensityAnalyzer;
const out = new Array(lines.length);
const t0 = process.hrtime.bigint();
for (let r = 0; r < reps; r++) {
  for (let i = 0; i < lines.length; i++) out[i] = sia.polarity_scores(lines[i]).compound;
}
const s = Number(process.hrtime.bigint() - t0) / 1e9;
process.stdout.write(s + '\n' + out.join('\n') + '\n');
