package org.detrkd.detr.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

import java.util.HashSet;
import java.util.Set;

/** Ownership of a teacher's outputs: closed with the step, except arrays that are teacher parameters. */
final class TeacherOutputs {

    private TeacherOutputs() {}

    /** Moves outputs to the step manager, except parameter arrays (listed by uid), which must outlive the step. */
    static void adopt(NDList outputs, Set<String> parameterUids, NDManager sm) {
        for (NDArray a : outputs) {
            if (!parameterUids.contains(a.getUid())) {
                a.attach(sm);
            }
        }
    }

    /** Uids of a block's parameter arrays. */
    static Set<String> parameterUids(Block block) {
        Set<String> uids = new HashSet<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            uids.add(p.getValue().getArray().getUid());
        }
        return uids;
    }
}
