// CloudFront Function (cloudfront-js-2.0), viewer-response, default behaviour only.
// Browsers show application/rss+xml and application/atom+xml as raw text and never apply the feeds'
// XSL stylesheet. When a person opens a feed in a browser (a top-level navigation), the same bytes
// are labelled application/xml, which browsers render through /feed.xsl as a readable page. Feed
// readers do not navigate, so they get the feed's own type. This runs after the cache: one cached copy.
function handler(event) {
  var request = event.request;
  var response = event.response;
  var uri = request.uri;
  var isFeed = uri.slice(-8) === '/rss.xml' || uri.slice(-9) === '/atom.xml';
  if (!isFeed || response.statusCode !== 200) return response;
  var dest = request.headers['sec-fetch-dest'];
  var accept = request.headers.accept;
  var browser = (dest && dest.value === 'document') || (accept && accept.value.indexOf('text/html') !== -1);
  if (browser) response.headers['content-type'] = { value: 'application/xml; charset=utf-8' };
  response.headers.vary = { value: 'Accept, Sec-Fetch-Dest' };
  return response;
}
