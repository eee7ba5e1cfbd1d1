/**
 * Cells grouped into paper-style rows: mean and sample std over seeds, deltas against the plain student and the
 * paper's, DISAGREE flags.
 */
package org.detrkd.reports.aggregate;
