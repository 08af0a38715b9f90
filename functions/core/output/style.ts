/** The pages' one stylesheet, inline: no request, no external host, readable from phone to desktop. */
export const STYLE = `
:root{color-scheme:light dark;--fg:#1b1b1b;--muted:#5c5c5c;--bg:#fdfdfb;--rule:#d9d6cf;--accent:#9b1c1c}
@media (prefers-color-scheme:dark){:root{--fg:#e8e6e1;--muted:#a6a39c;--bg:#161616;--rule:#3a3834;--accent:#f08c7c}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:1.0625rem/1.65 Georgia,"Times New Roman",serif}
a{color:var(--accent)}
.wrap{max-width:42rem;margin:0 auto;padding:0 1.125rem}
header.site,footer.site{border-bottom:1px solid var(--rule);padding:.875rem 0;font-family:system-ui,sans-serif}
footer.site{border-top:1px solid var(--rule);border-bottom:0;margin-top:3rem;color:var(--muted);font-size:.875rem}
header.site a{color:var(--fg);text-decoration:none;font-weight:700;font-size:1.125rem}
h1{font-size:clamp(1.6rem,5vw,2.4rem);line-height:1.15;margin:1.5rem 0 .75rem}
h2{font-size:1.3rem;line-height:1.25;margin:2rem 0 .5rem}
.meta,.tags,.feeds{font-family:system-ui,sans-serif;font-size:.875rem;color:var(--muted)}
.standfirst{font-size:1.2rem;line-height:1.5;color:var(--muted)}
.correction{border-left:4px solid var(--accent);padding:.5rem 1rem;background:color-mix(in srgb,var(--accent) 8%,transparent)}
img{max-width:100%;height:auto}
figure{margin:1.5rem 0}figcaption{font-size:.875rem;color:var(--muted)}
pre{overflow-x:auto;padding:.75rem;border:1px solid var(--rule)}
table{border-collapse:collapse;display:block;overflow-x:auto}td,th{border:1px solid var(--rule);padding:.25rem .5rem}
blockquote{margin:1rem 0;padding-left:1rem;border-left:3px solid var(--rule);color:var(--muted)}
ol.articles{list-style:none;padding:0}ol.articles li{padding:1rem 0;border-bottom:1px solid var(--rule)}
ol.articles h2{margin:0 0 .25rem}ol.articles h2 a{color:var(--fg);text-decoration:none}
.feeds a{display:inline-block;margin-right:.75rem}
.subscribe{border:1px solid var(--rule);padding:1rem;margin:1.5rem 0;font-family:system-ui,sans-serif}
.subscribe ul{padding-left:1.25rem}.subscribe code{word-break:break-all}
`.trim();
