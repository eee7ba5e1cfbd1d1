/**
 * The suite runner behind {@code detrkd run} and {@code detrkd slurm}: expands a suite at a scale into cells, trains
 * each teacher once into a cache keyed by its resolved spec ({@code OUT/teachers/<hash>/}), trains every cell with
 * resumable epoch checkpoints ({@code OUT/cells/<runId>/checkpoints/}), evaluates with the COCO evaluator and writes
 * one {@code result.json} per cell in the reports' schema. Shards ({@code --shard I/N}) and Slurm array scripts
 * split a suite over processes sharing the output folder.
 */
package org.detrkd.suites.run;
