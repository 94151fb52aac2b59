// Times one llama_decode of B tokens (logits for every row, as tree verification needs) after
// D tokens of context, against whichever libllama/libggml-cpu the loader finds, so two builds
// can be compared in alternation on the same machine:
//   cc -O2 tools/batch-cost.c -I$P/include -L$P/lib -Wl,-rpath,$P/lib -lllama -o /tmp/batch-cost
//   LD_LIBRARY_PATH=/path/to/other/lib /tmp/batch-cost MODEL.gguf B D REPEATS [PREVIOUS]
// With PREVIOUS, every timed decode follows an untimed decode of PREVIOUS tokens, as speculative
// steps follow steps of other shapes (0: none, the default).
#include "llama.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char ** argv) {
    if (argc != 5 && argc != 6) {
        fprintf(stderr, "usage: %s MODEL.gguf BATCH CONTEXT REPEATS [PREVIOUS]\n", argv[0]);
        return 2;
    }
    const int B = atoi(argv[2]), D = atoi(argv[3]), repeats = atoi(argv[4]), P = argc == 6 ? atoi(argv[5]) : 0;
    if (B < 1 || B > 512 || D < 1 || D > 16384 || repeats < 1 || P < 0 || P > 512) {
        fprintf(stderr, "BATCH must be 1..512, CONTEXT 1..16384, REPEATS positive, PREVIOUS 0..512\n");
        return 2;
    }
    llama_backend_init();
    struct llama_model * model = llama_model_load_from_file(argv[1], llama_model_default_params());
    if (!model) { fprintf(stderr, "cannot load %s\n", argv[1]); return 1; }
    struct llama_context_params cp = llama_context_default_params();
    cp.n_ctx = D + 512; cp.n_batch = D + 512; cp.n_ubatch = 512; cp.n_threads = 2; cp.n_threads_batch = 2;
    cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_ENABLED; cp.kv_unified = true; cp.n_seq_max = 1;
    struct llama_context * ctx = llama_init_from_model(model, cp);
    if (!ctx) { fprintf(stderr, "cannot create a context\n"); return 1; }
    struct llama_batch batch = llama_batch_init(D + 512, 0, 1);
    batch.n_tokens = D;
    for (int i = 0; i < D; i++) {
        batch.token[i] = 100 + i % 1000; batch.pos[i] = i; batch.n_seq_id[i] = 1; batch.seq_id[i][0] = 0; batch.logits[i] = 0;
    }
    if (llama_decode(ctx, batch) != 0) { fprintf(stderr, "prefill failed\n"); return 1; }
    double total = 0, best = 1e9;
    for (int r = 0; r < repeats; r++) {
        if (P > 0) {
            batch.n_tokens = P;
            for (int i = 0; i < P; i++) {
                batch.token[i] = 300 + i; batch.pos[i] = D + i; batch.n_seq_id[i] = 1; batch.seq_id[i][0] = 0; batch.logits[i] = 1;
            }
            if (llama_decode(ctx, batch) != 0) { fprintf(stderr, "decode failed\n"); return 1; }
            llama_memory_seq_rm(llama_get_memory(ctx), 0, D, -1);
        }
        batch.n_tokens = B;
        for (int i = 0; i < B; i++) {
            batch.token[i] = 200 + i; batch.pos[i] = D + i; batch.n_seq_id[i] = 1; batch.seq_id[i][0] = 0; batch.logits[i] = 1;
        }
        const double t0 = now();
        if (llama_decode(ctx, batch) != 0) { fprintf(stderr, "decode failed\n"); return 1; }
        const double t = now() - t0;
        total += t;
        if (t < best) best = t;
        llama_memory_seq_rm(llama_get_memory(ctx), 0, D, -1);
    }
    printf("P=%d B=%d D=%d mean %.2f ms min %.2f ms\n", P, B, D, total / repeats * 1e3, best * 1e3);
    llama_batch_free(batch);
    llama_free(ctx);
    llama_model_free(model);
    return 0;
}
