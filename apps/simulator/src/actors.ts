import { Actor, Role } from '@civicloop/domain';
import { Directory } from '@civicloop/directory';

/** The people who act in the simulated district: the directory's demo users, or stand-ins for units without one. */
export class Actors {
  private readonly cache = new Map<string, Actor>();

  constructor(private readonly directory: Directory) {}

  get operator(): Actor {
    return this.of('operator', this.districtId);
  }

  handler(unitId: string): Actor {
    return this.of('handler', unitId);
  }

  /** The street's supervisor for cases in its streets; the district's for the rest. */
  supervisorFor(compoundId: string, atDistrict: boolean): Actor {
    const street = this.directory.ancestorOfKind(compoundId, 'street');
    return atDistrict || !street ? this.of('supervisor', this.districtId) : this.of('supervisor', street.id);
  }

  resident(phone: string): Actor {
    return { id: `resident-${phone}`, role: 'resident', unitId: null };
  }

  get districtId(): string {
    return this.directory.allUnits().find((u) => u.kind === 'district')!.id;
  }

  private of(role: Role, unitId: string): Actor {
    const key = `${role}@${unitId}`;
    let actor = this.cache.get(key);
    if (!actor) {
      const user = this.directory.allUsers().find((u) => u.role === role && u.unitId === unitId);
      actor = user ? { id: user.id, role, unitId } : { id: `sim-${role}-${unitId}`, role, unitId };
      this.cache.set(key, actor);
    }
    return actor;
  }
}
