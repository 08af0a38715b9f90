// CloudFront Function (cloudfront-js-2.0), viewer-request, default behaviour only.
// S3 is a plain object store, not a web server: it has no notion of "the index of a folder".
// The publisher writes each page as <dir>/index.html, so readers' pretty URLs are mapped here,
// at the edge, before the cache lookup (the cache key is the rewritten URI, one entry per page).
//   /                      -> /index.html
//   /articles/slug/        -> /articles/slug/index.html
//   /articles/slug         -> /articles/slug/index.html   (served, not redirected: one round trip)
//   /rss.xml, /style.css   -> unchanged (the last segment has an extension)
//   /.wirefeed/..., /a/.b  -> a key that never exists, so the reader gets the 404 page
//   /rss.xml, /tags/x/atom.xml, /archive/3/rss.xml opened by a person in a browser (a top-level
//                          navigation) -> the folder's feed.html, the feed's pre-rendered browser view;
//                          feed readers get the feed. Because the rewrite happens here, before the
//                          cache lookup, the view is cached under its own key (/feed.html) and the
//                          feed's key (/rss.xml) only ever holds the feed: a reader cannot be served HTML.
//                          The rule is functions/core/feed-view.ts, copied (functions cannot import).
// No dot-file or dot-folder is ever public: an older wirefeed kept its manifest (drafts, embargoes) in
// the site bucket's .wirefeed/, and it stays there until the next full rebuild or reconcile deletes it.
//
// The URI arrives percent-encoded, as the viewer sent it, and S3 decodes the key, so every decision is
// taken on the decoded path: /%2ewirefeed/ and /.%77irefeed/ are /.wirefeed/ to S3. It is decoded
// again (ASCII escapes only) while that changes anything, so a double-encoded /%252e... cannot hide a
// dot either. A malformed escape, a NUL or a backslash is never a real page: 404. The URI sent on is
// the viewer's own (plus index.html), so S3 decodes exactly what it would have without this function.
// No `export`: CloudFront calls the global `handler`.
var NOT_PUBLIC = '/404-not-public';
// Enough for any real URL (which needs one decoding); a deeper nesting is an attack, not a page.
var MAX_DECODINGS = 4;
var ASCII_ESCAPE = /%([0-7][0-9A-Fa-f])/g;

function decodeAscii(match, hex) {
  return String.fromCharCode(parseInt(hex, 16));
}

/** The path as S3 would see it, decoded until nothing changes; undefined when it cannot be a page. */
function decodedPath(uri) {
  var path;
  try {
    path = decodeURIComponent(uri);
  } catch (e) {
    return undefined; // a malformed escape (%zz, a lone %, invalid UTF-8): S3 has no such key
  }
  for (var i = 0; path.indexOf('%') !== -1; i++) {
    var next = path.replace(ASCII_ESCAPE, decodeAscii);
    if (next === path) break;
    if (i === MAX_DECODINGS) return undefined;
    path = next;
  }
  return path;
}

function isPublic(path) {
  if (path.indexOf('\u0000') !== -1 || path.indexOf('\\') !== -1) return false;
  var segments = path.split('/');
  for (var i = 0; i < segments.length; i++) {
    // '.', '..', '.wirefeed', '.env': nothing the publisher writes starts with a dot.
    if (segments[i].charAt(0) === '.') return false;
  }
  return true;
}

var FEED = /\/(rss|atom)\.xml$/;

function header(request, name) {
  var h = request.headers[name];
  return h ? h.value : undefined;
}

/** A person's top-level navigation (feed-view.ts wantsFeedView): Fetch Metadata only, never Accept alone. */
function wantsFeedView(request) {
  var mode = header(request, 'sec-fetch-mode');
  return header(request, 'sec-fetch-dest') === 'document' && (mode === undefined || mode === 'navigate');
}

function handler(event) {
  var request = event.request;
  var uri = request.uri;
  var path = decodedPath(uri);
  if (path === undefined || !isPublic(path)) {
    request.uri = NOT_PUBLIC;
    return request;
  }
  // Only the plain spelling: an oddly encoded feed path is served as the feed, which is never wrong.
  if (FEED.test(uri) && wantsFeedView(request)) {
    request.uri = uri.slice(0, uri.lastIndexOf('/') + 1) + 'feed.html';
  } else if (path.charAt(path.length - 1) === '/') {
    request.uri = uri + 'index.html';
  } else if (path.slice(path.lastIndexOf('/') + 1).indexOf('.') === -1) {
    request.uri = uri + '/index.html';
  }
  return request;
}
