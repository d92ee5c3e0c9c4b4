Feature: Job execution
  A program runs within its contract's limits and ends in one of a few ways, each said in the user's words: it
  completes (exit code 0), fails (a non-zero exit, a trap, its memory or its time), or is cancelled. A failed run is
  tried again, on another provider, as far as the restart policy allows.

  Scenario: A program that exits with a non-zero code fails the job with that code
    Given a node with these compute providers:
      | id   | cpu | ram  | disk | price | executors |
      | cp-a | 4   | 4096 | 10   | 1.0   | wasm      |
    And failed runs are never retried
    When a user posts a job "job-1" that runs the WebAssembly program "primes"
    Then the job fails with reason "exit-code"
    And the failure message says "exited with 2"

  Scenario: A program that traps fails the job naming the trap
    Given a node with these compute providers:
      | id   | cpu | ram  | disk | price | executors |
      | cp-a | 4   | 4096 | 10   | 1.0   | wasm      |
    And failed runs are never retried
    When a user posts a job "job-1" that runs the WebAssembly program "trap"
    Then the job fails with reason "executor-error"
    And the failure message says "trap: integer-division-by-zero"

  Scenario: A program that runs past its timeout is stopped
    Given a node with these compute providers:
      | id   | cpu | ram  | disk | price | executors |
      | cp-a | 4   | 4096 | 10   | 1.0   | wasm      |
    And failed runs are never retried
    When a user posts a job "job-1" that runs the WebAssembly program "spin" within 1 second
    Then the job fails with reason "duration-exceeded"
    And "cp-a" holds no contract

  Scenario: A program that needs more memory than its contract's RAM fails with the limit named
    Given a node with these compute providers:
      | id   | cpu | ram  | disk | price | executors |
      | cp-a | 4   | 4096 | 10   | 1.0   | wasm      |
    And failed runs are never retried
    When a user posts a job "job-1" that runs the WebAssembly program "hungry" in 8 MB of RAM
    Then the job fails with reason "memory-limit"
    And the failure message says "the contract's 8 MiB"

  Scenario: A failed run is tried again on another provider, until the policy says stop
    Given a node with these compute providers:
      | id   | cpu | ram  | disk | price | executors |
      | cp-a | 4   | 4096 | 10   | 1.0   | simulated |
      | cp-b | 4   | 4096 | 10   | 2.0   | simulated |
      | cp-c | 4   | 4096 | 10   | 3.0   | simulated |
    And failed runs are retried up to 2 runs in all
    When a user posts a job "job-1" that runs the simulated program "exit=7"
    Then the job fails with reason "exit-code"
    And the job ran 2 times
    And run 1 was on "cp-a" and failed with "exit-code"
    And run 2 was on "cp-b" and failed with "exit-code"

  Scenario: A running job that is cancelled stops its program and frees its provider
    Given a node with these compute providers:
      | id   | cpu | ram  | disk | price | executors |
      | cp-a | 4   | 4096 | 10   | 1.0   | simulated |
    When a user posts a job "job-1" that runs the simulated program "print=started sleep-ms=60000"
    And the job is running on "cp-a"
    And the user cancels the job
    Then the job ends cancelled
    And "cp-a" holds no contract
