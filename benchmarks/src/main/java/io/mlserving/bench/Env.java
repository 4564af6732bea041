package io.mlserving.bench;

/** A fresh mock cluster with the stub Deployment controller and the readiness stopwatch running. */
final class Env implements AutoCloseable {
  static final int STUB_THREADS = 4;

  final BenchCluster cluster;
  final DeploymentStub stub;
  final ReadyTracker tracker;

  Env() {
    cluster = BenchCluster.start();
    stub = new DeploymentStub(cluster.stub, STUB_THREADS);
    tracker = new ReadyTracker(cluster.observer);
  }

  Counts counts() {
    return cluster.dispatcher.snapshot();
  }

  @Override
  public void close() {
    tracker.close();
    stub.close();
    cluster.close();
  }
}
