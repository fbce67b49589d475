/** A progress bar on stderr (redrawn in place on a terminal, one line per step otherwise) with an estimate of the time left. */
export function progressBar(planned: number, stream: NodeJS.WriteStream = process.stderr) {
  let total = planned;
  const started = performance.now();
  const width = 30;
  const clock = (seconds: number) => `${Math.floor(seconds / 60)}:${String(Math.round(seconds % 60)).padStart(2, "0")}`;
  const draw = (done: number, label: string) => {
    const elapsed = (performance.now() - started) / 1000;
    const filled = Math.round((done / total) * width);
    const left = done > 0 ? clock((elapsed / done) * (total - done)) : "?";
    const line = `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total} ${clock(elapsed)} elapsed, ${left} left · ${label}`;
    if (stream.isTTY) stream.write(`\r\x1b[2K${line.slice(0, (stream.columns || 120) - 1)}`);
    else stream.write(`${line}\n`);
  };
  return {
    update: draw,
    /** `count` planned steps will not run (the time budget): the bar and the time left count without them. */
    skip(count: number) {
      total = Math.max(1, total - count);
    },
    done(label: string) {
      draw(total, label);
      if (stream.isTTY) stream.write("\n");
    },
  };
}
