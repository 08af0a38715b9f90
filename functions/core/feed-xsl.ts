import { STYLE } from './style.ts';

/**
 * /feed.xsl: browsers that follow the feeds' xml-stylesheet instruction show a person a readable page
 * ("copy this URL into your reader") instead of raw XML; feed readers ignore it and get the feed as it is.
 * One XSLT 1.0 sheet serves RSS 2.0 and Atom 1.0.
 */
export function feedStylesheet(): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:atom="http://www.w3.org/2005/Atom" exclude-result-prefixes="atom">
<xsl:output method="html" encoding="utf-8" indent="yes" doctype-system="about:legacy-compat"/>
<xsl:variable name="title" select="/rss/channel/title | /atom:feed/atom:title"/>
<xsl:variable name="self" select="/rss/channel/atom:link[@rel='self']/@href | /atom:feed/atom:link[@rel='self']/@href"/>
<xsl:variable name="home" select="/rss/channel/link | /atom:feed/atom:link[@rel='alternate']/@href"/>
<xsl:template match="/">
<html>
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title><xsl:value-of select="$title"/> (web feed)</title>
<style>${STYLE.replace(/&/g, '&amp;').replace(/</g, '&lt;')}
.subscribe{border:1px solid var(--rule);padding:1rem;margin:1.5rem 0;font-family:system-ui,sans-serif}
.subscribe code{display:block;word-break:break-all;padding:.5rem;margin:.5rem 0;border:1px solid var(--rule)}</style>
</head>
<body>
<header class="site"><div class="wrap"><a href="{$home}"><xsl:value-of select="$title"/></a></div></header>
<main class="wrap">
<div class="subscribe">
<p><strong>This is a web feed.</strong> Copy this URL into your feed reader to follow <xsl:value-of select="$title"/>:</p>
<code id="feed-url"><xsl:value-of select="$self"/></code>
</div>
<h1><xsl:value-of select="$title"/></h1>
<p class="standfirst"><xsl:value-of select="/rss/channel/description | /atom:feed/atom:subtitle"/></p>
<ol class="articles">
<xsl:for-each select="/rss/channel/item">
<li><h2><a href="{link}"><xsl:value-of select="title"/></a></h2>
<p class="meta"><xsl:value-of select="pubDate"/></p></li>
</xsl:for-each>
<xsl:for-each select="/atom:feed/atom:entry">
<li><h2><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h2>
<p class="meta"><xsl:value-of select="substring(atom:published, 1, 10)"/></p>
<p><xsl:value-of select="atom:summary"/></p></li>
</xsl:for-each>
</ol>
</main>
</body>
</html>
</xsl:template>
</xsl:stylesheet>
`;
}
