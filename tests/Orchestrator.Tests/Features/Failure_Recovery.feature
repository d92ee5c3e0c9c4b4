Feature: Failure recovery
  Jobs are durable: a node that stops mid-job resumes every job in flight from its journal; locks that never
  become contracts are released; a job that cannot finish by its deadline fails with the reason.

  Scenario: A job in flight when the node stops contracts after it restarts
    Given a node with these compute providers:
      | id   | cpu | ram  | disk | price |
      | cp-a | 2   | 2048 | 10   | 1.0   |
    And jobs have a deadline of 60 seconds
    When a user posts a job "job-1" needing 4 CPU cores, 1024 MB of RAM and 10 GB of disk
    And the job has searched 1 time
    And the node restarts with these compute providers:
      | id   | cpu | ram  | disk | price |
      | cp-b | 8   | 8192 | 100  | 1.0   |
    Then the job is contracted with "cp-b"

  Scenario: A contracted job is still contracted after a restart
    Given a node with these compute providers:
      | id   | cpu | ram  | disk | price |
      | cp-a | 8   | 8192 | 100  | 1.0   |
    When a user posts a job "job-1" needing 2 CPU cores, 1024 MB of RAM and 10 GB of disk
    And the job is contracted with "cp-a"
    And the node restarts
    Then the job is contracted with "cp-a"
    And "cp-a" holds the contract for "job-1"

  Scenario: A job that cannot contract by its deadline fails with the reason and releases what it held
    Given a node with these compute providers:
      | id   | cpu | ram  | disk | price | behaviour        |
      | cp-a | 8   | 8192 | 100  | 0.5   | ignores contracts |
    And jobs have a deadline of 2 seconds
    And the contract timeout is 10 seconds
    When a user posts a push job "job-1" to "cp-a" needing 2 CPU cores, 1024 MB of RAM and 10 GB of disk
    Then the job fails with reason "deadline-passed"

  Scenario: A cancelled job fails as cancelled and leaves no lock
    Given a node with these compute providers:
      | id   | cpu | ram  | disk | price | locks on bid | behaviour            |
      | cp-a | 8   | 8192 | 100  | 0.5   | yes          | answers normally     |
      | cp-b | 8   | 8192 | 100  | 2.0   | no           | ignores bid requests |
    And the search timeout is 30 seconds
    When a user posts a job "job-1" needing 2 CPU cores, 1024 MB of RAM and 10 GB of disk
    And "cp-a" holds a lock for "job-1"
    And the user cancels the job
    Then the job fails with reason "cancelled"
    And "cp-a" holds no lock for "job-1"
