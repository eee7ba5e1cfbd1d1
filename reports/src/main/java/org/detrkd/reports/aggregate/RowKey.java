package org.detrkd.reports.aggregate;

import org.detrkd.reports.model.Scale;

/**
 * What makes cells one row of a report table: the suite and scale, the paper group/row/column they map to and the
 * preset. Seeds of the same row are averaged.
 *
 * @param suite suite id
 * @param scale scale
 * @param group paper group ({@code ""} when none)
 * @param row paper row
 * @param column column variant ({@code ""} when none)
 * @param preset preset ({@code ""} when none)
 */
public record RowKey(String suite, Scale scale, String group, String row, String column, String preset) {
}
