package io.mlserving.operator.prom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.mlserving.operator.prom.IstioExporter.Requests;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The test exporter's text format and its steady traffic, without Prometheus. */
class IstioExporterTest {
  private static final String LABELS = "destination_service=\"m.ns.svc.cluster.local\",destination_service_name=\"m\","
      + "destination_service_namespace=\"ns\",destination_workload=\"m\",destination_workload_namespace=\"ns\","
      + "reporter=\"destination\",request_protocol=\"http\",response_code=\"503\",response_flags=\"-\","
      + "source_workload=\"loadgen\",source_workload_namespace=\"ns\"";

  @Test
  void servesCountersHistogramsAndGaugesInTheTextFormat() throws Exception {
    try (IstioExporter istio = IstioExporter.start()) {
      Requests r = Requests.to("ns", "m").code(503);
      istio.requests(r, 3).requests(r, 2).latency(r, 30, 4).latency(r, 700, 1)
          .gauge(IstioExporter.OUTLIER_EJECTIONS_ACTIVE, Map.of("cluster_name", "a\"b"), 2);
      HttpResponse<String> scraped = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(istio.url())).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(scraped.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
      assertThat(istio.scrapes()).isEqualTo(1);
      String text = scraped.body();
      assertThat(text).contains("# TYPE istio_requests_total counter\n"
          + "istio_requests_total{" + LABELS + "} 5\n");
      assertThat(text).contains("# TYPE istio_request_duration_milliseconds histogram\n");
      assertThat(text).contains(
          "istio_request_duration_milliseconds_bucket{" + LABELS + ",le=\"25\"} 0\n"
              + "istio_request_duration_milliseconds_bucket{" + LABELS + ",le=\"50\"} 4\n");
      assertThat(text).contains(
          "istio_request_duration_milliseconds_bucket{" + LABELS + ",le=\"500\"} 4\n"
              + "istio_request_duration_milliseconds_bucket{" + LABELS + ",le=\"1000\"} 5\n");
      assertThat(text).contains(
          "istio_request_duration_milliseconds_bucket{" + LABELS + ",le=\"3600000\"} 5\n"
              + "istio_request_duration_milliseconds_bucket{" + LABELS + ",le=\"+Inf\"} 5\n"
              + "istio_request_duration_milliseconds_sum{" + LABELS + "} 820\n"
              + "istio_request_duration_milliseconds_count{" + LABELS + "} 5\n");
      assertThat(text).contains("# TYPE envoy_cluster_outlier_detection_ejections_active gauge\n"
          + "envoy_cluster_outlier_detection_ejections_active{cluster_name=\"a\\\"b\"} 2\n");
      assertThat(text.lines().filter(l -> l.startsWith("istio_request_duration_milliseconds_bucket"))).hasSize(20);
    }
  }

  @Test
  void trafficGrowsTheCounterAtItsRate() {
    try (IstioExporter istio = IstioExporter.start()) {
      IstioExporter.Traffic t = istio.traffic("ns", "m").latencyMs(3).rate(50);
      long t0 = System.nanoTime();
      await().atMost(Duration.ofSeconds(10)).until(() -> count(istio.text()) >= 50);
      double seconds = (System.nanoTime() - t0) / 1e9;
      // 50 requests at 50/s take about a second, not much less.
      assertThat(seconds).isGreaterThan(0.8);
      t.stop();
      long stopped = count(istio.text(), "m");
      assertThat(istio.text()).contains("le=\"5\"} " + stopped + "\n");
      assertThatThrownBy(() -> t.rate(1)).isInstanceOf(IllegalStateException.class);
      // Another stream counting means the ticker ran on: the stopped one did not move meanwhile.
      istio.traffic("ns", "other").rate(50);
      await().atMost(Duration.ofSeconds(10)).until(() -> count(istio.text(), "other") >= 10);
      assertThat(count(istio.text(), "m")).isEqualTo(stopped);
    }
  }

  @Test
  void sourceReportedRefusalsAndEjectionsOfAnOutboundCluster() {
    try (IstioExporter istio = IstioExporter.start()) {
      istio.requests(Requests.from("models", "fraud-v1").refused("UO"), 4)
          .requests(Requests.from("models", "fraud-v1"), 6)
          .ejections(80, "fraud-v1.models.svc.cluster.local", 2);
      String text = istio.text();
      assertThat(text).contains("istio_requests_total{destination_service=\"fraud-v1.models.svc.cluster.local\","
          + "destination_service_name=\"fraud-v1\",destination_service_namespace=\"models\","
          + "destination_workload=\"unknown\",destination_workload_namespace=\"unknown\",reporter=\"source\","
          + "request_protocol=\"http\",response_code=\"503\",response_flags=\"UO\",source_workload=\"loadgen\","
          + "source_workload_namespace=\"models\"} 4\n");
      assertThat(text).contains("destination_workload=\"fraud-v1\",destination_workload_namespace=\"models\","
          + "reporter=\"source\",request_protocol=\"http\",response_code=\"200\",response_flags=\"-\",");
      assertThat(text).contains("envoy_cluster_outlier_detection_ejections_active{"
          + "cluster_name=\"outbound|80||fraud-v1.models.svc.cluster.local\"} 2\n");
    }
  }

  @Test
  void refusesLabelsPrometheusWouldReject() {
    assertThatThrownBy(() -> Requests.to("ns", "m").with("le", "1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Requests.to("ns", "m").with("bad-name", "1"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static long count(String text) {
    return count(text, "m");
  }

  private static long count(String text, String workload) {
    return text.lines().filter(l -> l.startsWith("istio_requests_total{"))
        .filter(l -> l.contains("destination_workload=\"" + workload + "\"")).mapToLong(
        l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }
}
