// CloudFront Function (cloudfront-js-2.0), viewer-request, default behaviour only.
// S3 is a plain object store, not a web server: it has no notion of "the index of a folder".
// The publisher writes each page as <dir>/index.html, so readers' pretty URLs are mapped here,
// at the edge, before the cache lookup (the cache key is the rewritten URI, one entry per page).
//   /                      -> /index.html
//   /articles/slug/        -> /articles/slug/index.html
//   /articles/slug         -> /articles/slug/index.html   (served, not redirected: one round trip)
//   /rss.xml, /style.css   -> unchanged (the last segment has an extension)
//   /.wirefeed/...         -> a key that never exists, so the reader gets the 404 page: the
//                             publisher's manifest (drafts, embargoes) lives there and is not public
// No `export`: CloudFront calls the global `handler`.
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.indexOf('/.') !== -1) {
    request.uri = '/404-not-public';
    return request;
  }
  if (uri.charAt(uri.length - 1) === '/') {
    request.uri = uri + 'index.html';
  } else if (uri.slice(uri.lastIndexOf('/') + 1).indexOf('.') === -1) {
    request.uri = uri + '/index.html';
  }
  return request;
}
