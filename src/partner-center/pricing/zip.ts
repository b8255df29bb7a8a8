import { Unzip, UnzipInflate } from 'fflate';

/**
 * The bytes of the first file in a zip, streamed: fflate's streaming Unzip reads local file headers as chunks arrive
 * (a maintained, dependency-free library; Node's zlib has no zip container reader), so a zipped sheet is never held
 * whole.
 */
export async function* unzippedChunks(zipped: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const ready: Uint8Array[] = [];
  let failure: unknown;
  let entered = false;
  const unzip = new Unzip((file) => {
    if (entered) return;
    entered = true;
    file.ondata = (error, data) => {
      if (error) failure = error;
      else if (data.length > 0) ready.push(data);
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  for await (const chunk of zipped) {
    unzip.push(chunk);
    if (failure) throw failure;
    while (ready.length > 0) yield ready.shift()!;
  }
  unzip.push(new Uint8Array(0), true);
  if (failure) throw failure;
  while (ready.length > 0) yield ready.shift()!;
}
