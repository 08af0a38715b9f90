'use strict';
/**
 * Runs s3rver (a real S3-compatible HTTP server) in its own process for test/helpers/s3-server.ts.
 *
 * Started as `node --openssl-legacy-provider s3rver-process.cjs <directory>`: s3rver 3.7.1 encrypts
 * ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (Node 17+) only offers through the
 * legacy provider. Without the flag, listing past 1,000 keys fails with a 500. Running s3rver in a
 * child keeps that flag out of the test process.
 *
 * Protocol: prints one JSON line `{"port": N}` on stdout once listening on 127.0.0.1 (port 0 = a free
 * port). Exits when stdin closes, so it never outlives the test process that started it, or on SIGTERM.
 */
const S3rver = require('s3rver');
const FilesystemStore = require('s3rver/lib/stores/filesystem');
const crypto = require('node:crypto');
const { createWriteStream } = require('node:fs');
const fs = require('node:fs/promises');
const path = require('node:path');
const { Transform } = require('node:stream');
const { pipeline } = require('node:stream/promises');

// s3rver 3.7.1 removes a key's now-empty parent folders after a DELETE; a PUT into the same folder at
// that moment fails inside s3rver with ENOENT and the whole server crashes (S3 has no folders, so no
// such race). Deleting only the object's own files, and leaving empty folders, keeps S3's semantics.
FilesystemStore.prototype.deleteObject = async function deleteObject(bucket, key) {
  await Promise.all(
    ['object', 'object.md5', 'metadata.json'].map((type) =>
      fs.unlink(this.getResourcePath(bucket, key, type)).catch((err) => {
        if (err.code !== 'ENOENT') throw err;
      }),
    ),
  );
};

// s3rver 3.7.1 writes an object's bytes straight over its file: a client that dies mid-upload leaves the
// object cut short (under its old ETag), where S3 keeps the previous version, and the answer can go before
// the bytes are all written. Here the bytes go to a file of their own, renamed over the object's once whole
// (a reader that opened the old file reads it to the end), and only then are its MD5 and metadata written.
let uploads = 0;
FilesystemStore.prototype.putObject = async function putObject(object) {
  const objectPath = this.getResourcePath(object.bucket, object.key, 'object');
  await fs.mkdir(path.dirname(objectPath), { recursive: true });
  const upload = `${objectPath}.upload-${++uploads}`; // no "._S3rver_object" ending: listings never show it
  const md5Context = crypto.createHash('md5');
  let size = 0;
  try {
    if (Buffer.isBuffer(object.content)) {
      md5Context.update(object.content);
      size = object.content.length;
      await fs.writeFile(upload, object.content);
    } else {
      const measure = new Transform({
        transform(chunk, encoding, callback) {
          md5Context.update(chunk, encoding);
          size += chunk.length;
          callback(null, chunk);
        },
      });
      await pipeline(object.content, measure, createWriteStream(upload));
    }
    await fs.rename(upload, objectPath);
  } catch (err) {
    await fs.rm(upload, { force: true });
    throw err;
  }
  const md5 = md5Context.digest('hex');
  await this.putMetadata(object.bucket, object.key, object.metadata, md5);
  return { size, md5 };
};

const directory = process.argv[2];
if (!directory) {
  process.stderr.write('usage: node --openssl-legacy-provider s3rver-process.cjs <directory>\n');
  process.exit(2);
}

const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true });

server
  .run()
  .then((address) => {
    // The proxy keeps its connections to s3rver open and reuses them; Node closes an idle one after 5 s, and
    // a request sent on a socket the server is closing that moment fails with "socket hang up" (the classic
    // keep-alive race, seen on a loaded machine). The proxy reuses a connection well within this.
    server.httpServer.keepAliveTimeout = 120_000;
    server.httpServer.headersTimeout = 121_000;
    process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
  })
  .catch((err) => {
    process.stderr.write(`s3rver could not start: ${err?.stack ? err.stack : err}\n`);
    process.exit(1);
  });

let closing = false;
function shutdown() {
  if (closing) return;
  closing = true;
  // Keep-alive sockets from the proxy would hold close() open; nothing is in flight at shutdown.
  if (server.httpServer) server.httpServer.closeAllConnections();
  server.close().then(
    () => process.exit(0),
    () => process.exit(0),
  );
  setTimeout(() => process.exit(0), 2000).unref();
}
process.stdin.on('end', shutdown);
process.stdin.on('error', shutdown);
process.stdin.resume();
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
