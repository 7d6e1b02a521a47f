package io.digits.serve;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;

/**
 * The status and metadata bodies, laid out as TF Serving prints GetModelStatusResponse and
 * GetModelMetadataResponse (proto3 JSON with default values printed: int64 values as strings,
 * e.g. {@code "version": "1"}, {@code "size": "-1"}); see the examples in api_rest.md.
 */
final class ModelJson {
  private ModelJson() {}

  static ObjectNode status(ServedModel model) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    ObjectNode version = body.putArray("model_version_status").addObject();
    version.put("version", Long.toString(model.version()));
    version.put("state", "AVAILABLE");
    version.putObject("status").put("error_code", "OK").put("error_message", "");
    return body;
  }

  static ObjectNode metadata(String name, ServedModel model) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.putObject("model_spec")
        .put("name", name)
        .put("signature_name", "")
        .put("version", Long.toString(model.version()));
    ObjectNode defs = body.putObject("metadata").putObject("signature_def").putObject("signature_def");
    model.signatures().forEach((key, def) -> defs.set(key, signature(def)));
    return body;
  }

  private static ObjectNode signature(SignatureDef def) {
    ObjectNode s = Json.MAPPER.createObjectNode();
    tensors(s.putObject("inputs"), def.getInputsMap());
    tensors(s.putObject("outputs"), def.getOutputsMap());
    s.put("method_name", def.getMethodName());
    return s;
  }

  private static void tensors(ObjectNode into, Map<String, TensorInfo> tensors) {
    new TreeMap<>(tensors).forEach((name, info) -> {
      ObjectNode t = into.putObject(name);
      t.put("dtype", info.getDtype().name());
      ObjectNode shape = t.putObject("tensor_shape");
      var dims = shape.putArray("dim");
      for (TensorShapeProto.Dim d : info.getTensorShape().getDimList()) {
        dims.addObject().put("size", Long.toString(d.getSize())).put("name", d.getName());
      }
      shape.put("unknown_rank", info.getTensorShape().getUnknownRank());
      if (info.getEncodingCase() == TensorInfo.EncodingCase.NAME) {
        t.put("name", info.getName());
      }
    });
  }
}
