/**
 * The result-record schema ({@link org.detrkd.reports.model.ResultRecord}, one {@code result.json} per cell), its
 * strict reader and loader, and the paper's tables as data ({@link org.detrkd.reports.model.PaperTables}).
 */
package org.detrkd.reports.model;
