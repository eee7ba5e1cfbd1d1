package org.detrkd.detr.matching;

/**
 * The result of a linear assignment: {@code rows[i]} is matched to {@code cols[i]}; rows are increasing.
 *
 * @param rows matched row indices, increasing, length {@code min(R, C)}
 * @param cols matched column indices, same length
 * @param total the summed cost of the matched entries
 */
public record Assignment(int[] rows, int[] cols, double total) {}
