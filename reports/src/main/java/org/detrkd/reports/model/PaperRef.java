package org.detrkd.reports.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where a cell sits in the paper: the keys of {@code paper-tables.json}.
 *
 * <p>Examples: {@code {table: "table3", group: "AdaMixer (100 queries, 12 epochs)", row: "DETRDistill"}};
 * {@code {table: "table1", row: "FGD", column: "AP@epoch8"}}; {@code {table: "table5", row: "LD+FD"}};
 * table 6 rows are the distilled terms joined by {@code +} in the order pos_cls, pos_reg, neg_reg, or {@code none}.
 * A suite without a paper table (the CLoCKDistill comparison) sets {@code table} to {@code null} and still uses
 * {@code group}/{@code row} to lay out its own table.
 *
 * @param table the paper table key ({@code table1} ... {@code table7}, {@code released_code_readme}), or null
 * @param group the group inside the table (table 3 detector block, table 4 stage variant), or null
 * @param row the row label in the paper, required
 * @param column the column variant when the paper's columns are not AP/APs/APm/APl (table 1 {@code AP@epochN}),
 *     or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PaperRef(
        @JsonProperty("table") String table,
        @JsonProperty("group") String group,
        @JsonProperty(value = "row", required = true) String row,
        @JsonProperty("column") String column) {
}
