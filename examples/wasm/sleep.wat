;; Waits 5 seconds in one WASI clock wait (the host's, not a spin), then exits 0: a run that holds an allocation
;; without using the CPU (the benchmark's resident memory per running allocation).
(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    ;; One subscription at 0: userdata (0), tag 0 = clock (8), clock id 1 = monotonic (16), timeout in ns (24),
    ;; precision (32), flags 0 = relative (40). The event is written at 64, the count at 128.
    (i32.store8 (i32.const 8) (i32.const 0))
    (i32.store (i32.const 16) (i32.const 1))
    (i64.store (i32.const 24) (i64.const 5000000000))
    (i64.store (i32.const 32) (i64.const 0))
    (i32.store16 (i32.const 40) (i32.const 0))
    (drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))))
