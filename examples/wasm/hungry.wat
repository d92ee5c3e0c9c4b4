;; Grows its memory a page (64 KiB) at a time until refused, then traps: fails with memory-limit.
(module
  (memory (export "memory") 1)
  (func (export "_start")
    (loop $more (br_if $more (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
    unreachable))
