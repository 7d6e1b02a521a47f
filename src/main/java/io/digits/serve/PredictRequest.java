package io.digits.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;

/**
 * A parsed {@code :predict} body: row format ({@code "instances"}, answered with
 * {@code "predictions"}) or columnar ({@code "inputs"}, answered with {@code "outputs"}), as TF
 * Serving's api_rest.md "Predict API" specifies and util/json_tensor.cc
 * (FillPredictRequestFromJson) implements; error wording follows the latter where it is clear.
 * Each input is checked against the signature's dtype and shape before anything runs.
 */
record PredictRequest(Format format, String signatureName, Map<String, HostTensor> inputs) {

  enum Format { ROW, COLUMNAR }

  static PredictRequest parse(byte[] body, ServedModel model) {
    return NumericRequest.parse(body, model).orElseGet(() -> parseTree(body, model));
  }

  /** Any request, through Jackson's tree: every check and error message is here. */
  static PredictRequest parseTree(byte[] body, ServedModel model) {
    JsonNode doc = parseJson(body);
    JsonNode sig = doc.path("signature_name");
    if (!sig.isMissingNode() && !sig.isTextual()) {
      throw ServingException.badRequest("'signature_name' key must be a string value.");
    }
    String signatureName = sig.isTextual() ? sig.textValue() : ServedModel.DEFAULT_SIGNATURE;
    Map<String, TensorInfo> infos = model.signature(signatureName).getInputsMap();
    if (infos.isEmpty()) {
      throw ServingException.badRequest("Failed to get input map for signature: " + signatureName);
    }
    JsonNode instances = doc.get("instances");
    JsonNode inputs = doc.get("inputs");
    if (instances != null && inputs != null) {
      throw ServingException.badRequest("Not formatted correctly expecting only one of 'inputs' or 'instances' keys to exist");
    }
    if (instances != null) {
      return new PredictRequest(Format.ROW, signatureName, checked(rows(instances, infos), infos, Format.ROW));
    }
    if (inputs != null) {
      return new PredictRequest(Format.COLUMNAR, signatureName, checked(columns(inputs, infos), infos, Format.COLUMNAR));
    }
    throw ServingException.badRequest("Missing 'inputs' or 'instances' key");
  }

  private static JsonNode parseJson(byte[] body) {
    if (body.length == 0) {
      throw ServingException.badRequest("JSON Parse error: The document is empty");
    }
    JsonNode doc;
    try {
      doc = Json.MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw ServingException.badRequest("JSON Parse error: " + e.getOriginalMessage()
          + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
    } catch (IOException e) {
      throw ServingException.badRequest("JSON Parse error: " + e.getMessage());
    }
    if (doc == null || !doc.isObject()) {
      throw ServingException.badRequest("JSON Value: " + doc + " Is not object");
    }
    return doc;
  }

  /**
   * Row format: a list with one item per instance; plain values for a single input, else one
   * object per instance keyed by every input name. Either way each input becomes the list of its
   * instances, a tensor whose 0-th dimension is the number of instances.
   */
  private static Map<String, HostTensor> rows(JsonNode instances, Map<String, TensorInfo> infos) {
    if (!instances.isArray()) {
      throw ServingException.badRequest("Expecting 'instances' to be an list/array");
    }
    if (instances.isEmpty()) {
      throw ServingException.badRequest("No values in 'instances' array");
    }
    Map<String, HostTensor> tensors = new LinkedHashMap<>();
    if (!instances.get(0).isObject()) {
      if (infos.size() > 1) {
        throw ServingException.badRequest("instances is a plain list, but expecting list of objects as multiple input"
            + " tensors required as per the signature: " + new TreeSet<>(infos.keySet()));
      }
      String name = infos.keySet().iterator().next();
      tensors.put(name, HostTensor.fromJson(name, instances, dtype(infos, name)));
      return tensors;
    }
    Map<String, ArrayNode> columns = new LinkedHashMap<>();
    infos.keySet().forEach(name -> columns.put(name, Json.MAPPER.createArrayNode()));
    for (int i = 0; i < instances.size(); i++) {
      JsonNode item = instances.get(i);
      if (!item.isObject()) {
        throw ServingException.badRequest("Expecting object but got list at item " + i + " of input list");
      }
      TreeSet<String> keys = new TreeSet<>();
      item.fieldNames().forEachRemaining(keys::add);
      if (!keys.equals(new TreeSet<>(infos.keySet()))) {
        throw ServingException.badRequest("Failed to process element: " + i + " of 'instances' list. JSON object keys "
            + keys + " must be equal to: " + new TreeSet<>(infos.keySet()));
      }
      columns.forEach((name, column) -> column.add(item.get(name)));
    }
    columns.forEach((name, column) -> tensors.put(name, HostTensor.fromJson(name, column, dtype(infos, name))));
    return tensors;
  }

  /**
   * Columnar format: one (nested) list for a single input, or an object keyed by input name (keys
   * that are no input are ignored, as TF Serving ignores them).
   */
  private static Map<String, HostTensor> columns(JsonNode inputs, Map<String, TensorInfo> infos) {
    Map<String, HostTensor> tensors = new LinkedHashMap<>();
    if (!inputs.isObject()) {
      if (infos.size() > 1) {
        throw ServingException.badRequest("inputs is a plain value/list, but expecting an object as multiple input"
            + " tensors required as per the signature: " + new TreeSet<>(infos.keySet()));
      }
      String name = infos.keySet().iterator().next();
      tensors.put(name, HostTensor.fromJson(name, inputs, dtype(infos, name)));
      return tensors;
    }
    for (String name : new TreeSet<>(infos.keySet())) {
      JsonNode value = inputs.get(name);
      if (value == null) {
        throw ServingException.badRequest("Missing named input: " + name + " in 'inputs' object.");
      }
      tensors.put(name, HostTensor.fromJson(name, value, dtype(infos, name)));
    }
    return tensors;
  }

  private static Dtype dtype(Map<String, TensorInfo> infos, String name) {
    return Dtype.of(infos.get(name).getDtype(), name);
  }

  /** Checks every input's shape against the signature (-1 matching any size). */
  static Map<String, HostTensor> checked(Map<String, HostTensor> tensors, Map<String, TensorInfo> infos,
      Format format) {
    tensors.forEach((name, tensor) -> {
      TensorShapeProto want = infos.get(name).getTensorShape();
      if (want.getUnknownRank()) {
        return;
      }
      long[] w = want.getDimList().stream().mapToLong(TensorShapeProto.Dim::getSize).toArray();
      long[] got = tensor.shape();
      if (got.length != w.length || IntStream.range(0, w.length).anyMatch(i -> w[i] >= 0 && w[i] != got[i])) {
        throw ServingException.badRequest("input '" + name + "' takes shape " + HostTensor.shapeString(w)
            + " (-1: any size); the request gives " + HostTensor.shapeString(got)
            + (format == Format.ROW ? " (the number of instances, then the shape of each)" : ""));
      }
    });
    return tensors;
  }
}
