/**
 * Cells grouped into paper-style rows: mean and sample std over seeds, changes against the plain student with their
 * noise, the paper's changes, and the direction verdicts of {@link org.detrkd.reports.aggregate.DirectionRule}.
 */
package org.detrkd.reports.aggregate;
