/**
 * Suites as data: one YAML file per paper table, read strictly into records, expanded into cells.
 *
 * <h2>Schema 1</h2>
 * <pre>
 * schema: 1                       # required, this reader knows 1
 * suite: table5                   # id: lower-case letters, digits, '-', '_'
 * title: "..."                    # one line for listings (default: the id)
 * paper_table: table5             # key of paper-tables.json; omit for a suite without a paper table
 * notes: "..."                    # free text (optional)
 * scales:                         # all three, each complete (nothing is inherited between scales)
 *   paper|mini|smoke:
 *     dataset: {kind: coco, path: data/coco [, train_images: 118287, val_images: 5000]}
 *          or  {kind: shapes|fashion, path: DIR, train_images: N, val_images: N, image_size: PX [, seed: S]}
 *     backbones: {teacher: NAME, student: NAME}      # resnet18/34/50/101, mini-teacher, mini-student
 *     image: {short_side: PX, max_side: PX}
 *     batch: N
 *     seeds: [0, 1, 2]            # student seeds: every non-teacher cell runs once per seed
 *     teacher_seed: 0             # optional (default 0): the one teacher per setup
 *     epochs: {12: 4, 50: 4}      # the paper's epochs -> this scale's; required at mini and smoke
 *     stages: {encoder: {6: 2, 3: 1}, decoder: {6: 3, 3: 2}}   # optional: the suite's stage counts -> this
 *                                 # scale's (teachers, students, grid variants); every count used must be mapped
 *     queries: {300: 40, 100: 40} # optional: the suite's query counts -> this scale's
 *     schedule: {lr: 3.0e-4, backbone_lr_factor: 1.0, grad_clip: 0.1, weight_decay: 1.0e-4, warmup_steps: 200,
 *                lr_drops: [0.75]}  # optional: overrides of every setup's schedule fields (not epochs)
 *     backbone_weights: {teacher: data/pre-teacher.safetensors, student: "builtin:mini-student"}
 *                                 # optional: pretrained backbones (detrkd pretrain) for every student and every
 *                                 # teacher the runner trains; paths relative to the data root
 *     teachers: {adamixer: runs/teacher-adamixer, conditional: "builtin:mini-conditional-detr"}
 *                                 # optional: setup id -> an existing teacher (a detrkd train run folder or the
 *                                 # shipped one), evaluated and used instead of training one
 *     teacher_min_ap: 0.3         # optional: refuse a teacher below this val AP (default 0.01; smoke: no gate)
 * setups:                         # one per group of the paper's table (or just one)
 *   - id: adamixer                # first part of cell ids
 *     group: "AdaMixer (100 queries, 12 epochs)"     # the paper's group name, if the table has groups
 *     detector: adamixer          # conditional-detr, deformable-detr, adamixer
 *     teacher: {encoder_stages: 0, decoder_stages: 6, queries: 100}
 *     student: {encoder_stages: 0, decoder_stages: 6, queries: 100}
 *     schedule: {epochs: 12, lr: 2.5e-5 [, optimizer: adamw, backbone_lr_factor: 0.1, weight_decay: 1.0e-4,
 *                grad_clip: 0.1, lr_drops: [0.667, 0.917], lr_drop_factor: 0.1, warmup_epochs: 0,
 *                warmup_steps: N]}
 * methods:                        # one per row of the paper's table
 *   - id: ld                      # second part of cell ids (default: the method name; must be unique)
 *     row: LD                     # the paper's row label
 *     method: detrdistill         # none, teacher, detrdistill, fitnet, fgd, mgd, fkd, fgfi, clockdistill
 *     preset: paper               # detrdistill: paper|released-code; fkd: official|mmrazor (default: first)
 *     options: {...}              # per method, see Methods; omitted options come from the preset
 *     setups: [deformable]        # optional: only these setups
 *     paper_value: {AP: 36.2}     # only for a row the table lacks; 'paper_value: null' = not in the paper
 * grid:                           # optional
 *   epochs: [4, 8, 12]            # separate schedules; paper column AP@epochN (table 1)
 *   student_stages: ["6/6", "6/3"]  # student encoder/decoder variants; paper group "6/3" (table 4)
 * </pre>
 *
 * <p>Unknown keys, wrong types, unknown names and impossible settings are {@code InputException}s naming the file,
 * {@code line N, column M} and what is allowed ({@link org.detrkd.suites.spec.Fields},
 * {@link org.detrkd.suites.spec.SuiteValidator}). {@link org.detrkd.suites.spec.SuiteExpander} documents the
 * expansion into {@link org.detrkd.suites.spec.Cell}s and their ids; {@link org.detrkd.suites.spec.StepTimes} the
 * time estimates.
 */
package org.detrkd.suites.spec;
