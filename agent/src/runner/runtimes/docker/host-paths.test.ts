import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type Docker from "dockerode";
import { mappingOf, ownContainerId } from "./host-paths.ts";

const ID = "b325d7dd875dc9fcef5eb7419ccf2add95a84195ab0ba28907406cb5b7008dde";

describe("host paths of an agent in a container", () => {
  it("finds the container id in the mount table, and none on a host", () => {
    const line = `90 72 254:0 /var/lib/docker/containers/${ID}/hostname /etc/hostname rw,relatime - ext4 /dev/vda rw`;
    assert.equal(ownContainerId(`1 0 254:0 / / rw - ext4 /dev/vda rw\n${line}\n`), ID);
    assert.equal(ownContainerId("1 0 254:0 / / rw - ext4 /dev/vda rw\n"), undefined);
  });

  it("maps paths under mounts to their sources, the rest into the merged overlay, else refuses", () => {
    const info = {
      Mounts: [
        { Source: "/srv/assay", Destination: "/var/lib/assay" },
        { Source: "/var/lib/docker/volumes/w/_data", Destination: "/var/lib/assay/work" },
      ],
      GraphDriver: { Name: "overlay2", Data: { MergedDir: "/var/lib/docker/overlay2/abc/merged" } },
    } as unknown as Docker.ContainerInspectInfo;
    const toHost = mappingOf(info);
    assert.equal(toHost("/var/lib/assay/state"), "/srv/assay/state");
    assert.equal(toHost("/var/lib/assay/work/ex-1"), "/var/lib/docker/volumes/w/_data/ex-1");
    assert.equal(toHost("/var/lib/assayx"), "/var/lib/docker/overlay2/abc/merged/var/lib/assayx");
    const other = mappingOf({
      Mounts: [],
      GraphDriver: { Name: "vfs", Data: {} },
    } as unknown as Docker.ContainerInspectInfo);
    assert.throws(() => other("/tmp/w"), /storage driver vfs.*mount a volume at the same path/);
  });
});
