// CloudFront Function (cloudfront-js-2.0), viewer-response, default behaviour only.
// A feed's URL (/rss.xml, /tags/x/atom.xml, ...) answers a browser's navigation with the feed's HTML view
// and a feed reader with the feed (index-rewrite.js decides, before the cache, so CloudFront keeps the
// two under different keys). Caches after CloudFront (the browser's own, a proxy) key on the URL alone,
// so both answers say what they depend on: Vary on the headers the decision reads.
function handler(event) {
  var response = event.response;
  var uri = event.request.uri;
  // The viewer's URI or the rewritten one, whichever CloudFront shows here: both name a feed folder file.
  if (/\/(rss\.xml|atom\.xml|feed\.html)$/.test(uri)) {
    response.headers.vary = { value: 'Sec-Fetch-Dest, Sec-Fetch-Mode' };
  }
  return response;
}
