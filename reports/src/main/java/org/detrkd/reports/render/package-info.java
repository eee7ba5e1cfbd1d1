/**
 * Output formats behind one small interface ({@link org.detrkd.reports.render.ResultFormat}): CSV, Markdown and a
 * static HTML site with inline SVG charts. All output is deterministic (Locale.ROOT, sorted keys and rows).
 */
package org.detrkd.reports.render;
